import { requestFingerprint } from './request-fingerprint';

describe('requestFingerprint', () => {
  it('is the same for the same fields in another order, nested objects included', () => {
    const a = { user_id: 'u1', amount: 10, metadata: { a: 1, b: [1, { x: 1, y: 2 }] } };
    const b = { metadata: { b: [1, { y: 2, x: 1 }], a: 1 }, amount: 10, user_id: 'u1' };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
  });

  it('differs when any value differs, including inside metadata and array order', () => {
    const base = requestFingerprint({ user_id: 'u1', amount: 10, metadata: { tags: [1, 2] } });
    expect(requestFingerprint({ user_id: 'u1', amount: 11, metadata: { tags: [1, 2] } })).not.toBe(
      base,
    );
    expect(requestFingerprint({ user_id: 'u2', amount: 10, metadata: { tags: [1, 2] } })).not.toBe(
      base,
    );
    expect(requestFingerprint({ user_id: 'u1', amount: 10, metadata: { tags: [2, 1] } })).not.toBe(
      base,
    );
  });

  it('treats an absent field and an undefined one alike', () => {
    expect(requestFingerprint({ a: 1, b: undefined })).toBe(requestFingerprint({ a: 1 }));
  });
});
