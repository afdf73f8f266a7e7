import { csvField, csvRow, CSV_HEADER } from './ledger-csv';

describe('ledger CSV', () => {
  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvField('description', 'a,b')).toBe('"a,b"');
    expect(csvField('description', 'say "hi"')).toBe('"say ""hi"""');
    expect(csvField('description', 'two\nlines')).toBe('"two\nlines"');
    expect(csvField('description', 'plain')).toBe('plain');
  });

  it('defuses spreadsheet formulas in text, but not in numbers', () => {
    expect(csvField('description', '=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('user_id', '@evil')).toBe("'@evil");
    expect(csvField('amount', -25)).toBe('-25');
  });

  it('writes empty fields for null, ISO timestamps and JSON objects', () => {
    expect(csvField('order_id', null)).toBe('');
    expect(csvField('created_at', new Date('2026-01-02T03:04:05Z'))).toBe(
      '2026-01-02T03:04:05.000Z',
    );
    expect(csvField('metadata', { a: 1 })).toBe('"{""a"":1}"');
  });

  it('writes every column in the header’s order, ending with CRLF', () => {
    expect(CSV_HEADER.startsWith('id,event_id,created_at')).toBe(true);
    const line = csvRow({ id: '7', event_id: 'e', amount: '-3' });
    expect(line.split(',')).toHaveLength(CSV_HEADER.split(',').length);
    expect(line.endsWith('\r\n')).toBe(true);
  });
});
