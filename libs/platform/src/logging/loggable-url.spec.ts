import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('keeps a URL without secrets as it is', () => {
    expect(loggableUrl('/accounts/u1/ledger?limit=20&cursor=abc')).toBe(
      '/accounts/u1/ledger?limit=20&cursor=abc',
    );
    expect(loggableUrl('/health')).toBe('/health');
  });

  it.each([
    'token',
    'access_token',
    'api_key',
    'apiKey',
    'x-api-key',
    'Authorization',
    'secret',
    'password',
    'a%70i_key',
  ])('redacts the value of %s', (name) => {
    expect(loggableUrl(`/v1/models?limit=2&${name}=tly_abc123&x`)).toBe(
      `/v1/models?limit=2&${name}=[redacted]&x`,
    );
  });
});
