import { apiKeyHash, looksLikeApiKey, newApiKeySecret } from './api-key-secret';

describe('API key secrets', () => {
  it('are new each time, shaped like a key, and hash to what the lookup computes', () => {
    const a = newApiKeySecret();
    const b = newApiKeySecret();
    expect(a.key).not.toBe(b.key);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.hash.equals(apiKeyHash(a.key))).toBe(true);
    expect(a.hash.equals(apiKeyHash(b.key))).toBe(false);
  });

  it('refuses strings that cannot be keys', () => {
    expect(looksLikeApiKey('tly_short')).toBe(false);
    expect(looksLikeApiKey(`sk-${'a'.repeat(32)}`)).toBe(false);
    expect(looksLikeApiKey(`tly_${'a'.repeat(31)}'`)).toBe(false);
  });
});
