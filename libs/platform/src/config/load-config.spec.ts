import { IsInt, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

class ExampleConfig extends ServiceConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  EXAMPLE_PORT = 3000;
}

const secrets = {
  ADMIN_TOKEN: 'an-admin-secret-of-our-own',
  INTERNAL_TOKEN: 'an-internal-secret-of-our-own',
};

describe('loadConfig', () => {
  it('takes the local defaults when nothing is set, and converts what is given', () => {
    expect(loadConfig(ExampleConfig, {}).EXAMPLE_PORT).toBe(3000);
    expect(loadConfig(ExampleConfig, { EXAMPLE_PORT: '8080' }).EXAMPLE_PORT).toBe(8080);
  });

  it('refuses a wrong value, naming the setting', () => {
    expect(() => loadConfig(ExampleConfig, { EXAMPLE_PORT: 'eighty' })).toThrow(/EXAMPLE_PORT/);
    expect(() => loadConfig(ExampleConfig, { KAFKA_BROKERS: 'a:1, b:2' })).toThrow(/KAFKA_BROKERS/);
    expect(() => loadConfig(ExampleConfig, { ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });

  it('refuses HTTP limits that cannot work: sizes not like 2mb, headers waited for longer than the request', () => {
    expect(() => loadConfig(ExampleConfig, { HTTP_BODY_BYTES_IN_FLIGHT: '8 MB' })).toThrow(
      /HTTP_BODY_BYTES_IN_FLIGHT/,
    );
    expect(() => loadConfig(ExampleConfig, { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '-1' })).toThrow(
      /HTTP_MAX_CONNECTIONS_PER_ADDRESS/,
    );
    expect(() =>
      loadConfig(ExampleConfig, {
        HTTP_HEADERS_TIMEOUT_MS: '20000',
        HTTP_REQUEST_TIMEOUT_MS: '5000',
      }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS/);
    expect(
      loadConfig(ExampleConfig, {
        HTTP_REQUEST_TIMEOUT_MS: '5000',
        HTTP_HEADERS_TIMEOUT_MS: '5000',
      }).httpLimits,
    ).toMatchObject({ headersTimeoutMs: 5000, requestTimeoutMs: 5000 });
  });

  it('in production, refuses the tokens unset or set to their public defaults', () => {
    expect(() => loadConfig(ExampleConfig, { NODE_ENV: 'production' })).toThrow(
      /ADMIN_TOKEN, INTERNAL_TOKEN must be set/,
    );
    expect(() =>
      loadConfig(ExampleConfig, {
        NODE_ENV: 'production',
        ...secrets,
        ADMIN_TOKEN: new ExampleConfig().ADMIN_TOKEN,
      }),
    ).toThrow(/^invalid configuration: ADMIN_TOKEN must be set/);
    expect(loadConfig(ExampleConfig, { NODE_ENV: 'production', ...secrets }).ADMIN_TOKEN).toBe(
      secrets.ADMIN_TOKEN,
    );
  });

  it('refuses one token for both roles (the guard tells roles apart by the token)', () => {
    expect(() =>
      loadConfig(ExampleConfig, { ...secrets, INTERNAL_TOKEN: secrets.ADMIN_TOKEN }),
    ).toThrow(
      /INTERNAL_TOKEN and ADMIN_TOKEN must differ|ADMIN_TOKEN and INTERNAL_TOKEN must differ/,
    );
  });

  it('off this machine (HOST not a loopback address), refuses the public default tokens', () => {
    expect(loadConfig(ExampleConfig, {}).HOST).toBe('127.0.0.1');
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      expect(loadConfig(ExampleConfig, { HOST: host }).HOST).toBe(host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'api.example.com']) {
      expect(() => loadConfig(ExampleConfig, { HOST: host })).toThrow(
        `HOST=${host} lets other machines in, and ADMIN_TOKEN, INTERNAL_TOKEN are the public default`,
      );
      expect(loadConfig(ExampleConfig, { HOST: host, ...secrets }).HOST).toBe(host);
    }
    expect(() => loadConfig(ExampleConfig, { HOST: 'a host' })).toThrow(/HOST must be/);
  });
});
