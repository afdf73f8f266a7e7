import { inlineValues } from './one-round-trip';

describe('inlineValues (statements for one simple-protocol round trip)', () => {
  it('writes each value as a literal PostgreSQL reads back as the same value', () => {
    expect(
      inlineValues({
        text: 'SELECT $1::text, $2::bigint, $3, $4, $10, $11::bigint',
        values: ["o'hara\\x", -5, null, true, 'ten', 123n, 'unused', 8, 9, 'ten', 11n],
      }),
    ).toBe(
      // pg's escapeLiteral: a string holding a backslash is written as an E'' string.
      "SELECT  E'o''hara\\\\x'::text, (-5)::bigint, NULL, TRUE, 'ten', (11)::bigint",
    );
  });

  it('refuses a placeholder without a value, and a value with no literal form', () => {
    expect(() => inlineValues({ text: 'SELECT $2', values: [1] })).toThrow('no value for $2');
    expect(() => inlineValues({ text: 'SELECT $1', values: [{}] })).toThrow(/\$1/);
    expect(() => inlineValues({ text: 'SELECT $1', values: [NaN] })).toThrow(/\$1/);
  });
});
