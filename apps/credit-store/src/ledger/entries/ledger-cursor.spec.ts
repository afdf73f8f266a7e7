import { decodeCursor, encodeCursor } from './ledger-cursor';

describe('ledger cursor', () => {
  it('gives back the entry id it was made from', () => {
    expect(decodeCursor(encodeCursor('12345'))).toBe('12345');
  });

  it('rejects cursors it did not make', () => {
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
    expect(decodeCursor(Buffer.from('e:12; DROP TABLE').toString('base64url'))).toBeUndefined();
    expect(decodeCursor('')).toBeUndefined();
  });
});
