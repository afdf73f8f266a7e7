import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signatureHeader } from './webhook-signature';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'e1', type: 'grant.created', data: { amount: '5' } });
  const headersOf = (secrets: string[], timestamp: number) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, 'msg_1', timestamp, body),
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('verifies with the standardwebhooks package, each of two secrets alone', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const headers = headersOf([a, b], now());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(b).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('does not verify with another secret, another body or another timestamp', () => {
    const secret = newWebhookSecret();
    const headers = headersOf([secret], now());
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    const stale = headersOf([secret], now() - 3600);
    expect(() => new Webhook(secret).verify(body, stale)).toThrow();
  });

  it('makes secrets of 32 random bytes behind whsec_', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});
