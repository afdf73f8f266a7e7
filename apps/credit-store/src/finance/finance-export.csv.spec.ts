import { csvField, csvRow, CSV_HEADER, LedgerCsvRow } from './finance-export.csv';

describe('ledger CSV', () => {
  it('quotes fields with commas, semicolons, quotes and line breaks, doubling the quotes', () => {
    expect(csvField('description', 'a,b')).toBe('"a,b"');
    expect(csvField('description', 'say "hi"')).toBe('"say ""hi"""');
    expect(csvField('description', '"')).toBe('""""');
    expect(csvField('description', 'two\nlines')).toBe('"two\nlines"');
    expect(csvField('description', 'two\r\nlines')).toBe('"two\r\nlines"');
    // Spreadsheets in semicolon locales split fields on `;`.
    expect(csvField('description', 'plain text; with semicolon')).toBe(
      '"plain text; with semicolon"',
    );
    expect(csvField('description', '')).toBe('');
  });

  it.each(['=', '+', '-', '@', '\t', '\r'])('defuses a text field starting with %j', (start) => {
    const field = csvField('description', `${start}1+1`);
    expect(field.replace(/^"/, '').startsWith(`'${start}`)).toBe(true);
  });

  it('defuses formulas in every text column, quoting when the field needs it', () => {
    expect(csvField('description', '=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('user_id', '@evil')).toBe("'@evil");
    expect(csvField('source_ref_id', '-2+3')).toBe("'-2+3");
    expect(csvField('rule_version', '-1')).toBe("'-1");
    expect(csvField('metadata', '"=cmd"')).toBe('"""=cmd"""');
    expect(csvField('description', 'a = b')).toBe('a = b');
  });

  it('leaves the numeric columns alone, negative amounts included', () => {
    expect(csvField('amount', '-25')).toBe('-25');
    expect(csvField('balance_before', '-9007199254740993')).toBe('-9007199254740993');
    expect(csvField('balance_after', '+1')).toBe('+1');
    expect(csvField('id', '7')).toBe('7');
  });

  it('writes an empty field for null and a missing column', () => {
    expect(csvField('order_id', null)).toBe('');
    expect(csvField('order_id', undefined)).toBe('');
  });

  it('writes the header and every column in its order, ending with CRLF', () => {
    expect(CSV_HEADER).toBe(
      'id,event_id,created_at,occurred_at,user_id,source,direction,amount,balance_before,' +
        'balance_after,status,source_ref_id,order_id,hold_id,description,rule_id,rule_version,' +
        'model,metadata\r\n',
    );
    const row: LedgerCsvRow = {
      id: '42',
      event_id: 'evt-1',
      created_at: '2026-01-02T03:04:05.123456Z',
      occurred_at: null,
      user_id: 'u-1',
      source: 'chat',
      direction: 'expense',
      amount: '-3',
      balance_before: '10',
      balance_after: '7',
      status: 'applied',
      source_ref_id: null,
      order_id: null,
      hold_id: 'h-1',
      description: 'chat, "gpt"\n=2',
      rule_id: '9',
      rule_version: '2',
      model: 'gpt-x',
      metadata: '{"k": "v, w"}',
    };
    expect(csvRow(row)).toBe(
      '42,evt-1,2026-01-02T03:04:05.123456Z,,u-1,chat,expense,-3,10,7,applied,,,h-1,' +
        '"chat, ""gpt""\n=2",9,2,gpt-x,"{""k"": ""v, w""}"\r\n',
    );
    expect(csvRow({ id: '1' })).toBe(`1${','.repeat(18)}\r\n`);
  });
});
