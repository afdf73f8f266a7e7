import { ledgerUsage, mergeUsage, messageText, producedText } from './messages-usage';

describe('Anthropic usage in the ledger convention', () => {
  it('adds cache reads and writes into input, each also kept as its own part', () => {
    const usage = mergeUsage(undefined, {
      input_tokens: 20,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 10,
      output_tokens: 1,
    });
    expect(ledgerUsage(mergeUsage(usage, { output_tokens: 30 }))).toEqual({
      input_tokens: 70,
      cached_tokens: 40,
      cache_write_tokens: 10,
      output_tokens: 30,
    });
  });

  it('keeps the 1-hour cache writes apart (cache_creation by lifetime), streamed or not', () => {
    const usage = mergeUsage(undefined, {
      input_tokens: 20,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 10,
      cache_creation: { ephemeral_5m_input_tokens: 6, ephemeral_1h_input_tokens: 4 },
      output_tokens: 1,
    });
    const expected = {
      input_tokens: 70,
      cached_tokens: 40,
      cache_write_tokens: 10,
      cache_write_1h_tokens: 4,
      output_tokens: 30,
    };
    // A stream's message_delta repeats the cache counts, or leaves them out.
    expect(ledgerUsage(mergeUsage(usage, { output_tokens: 30 }))).toEqual(expected);
    expect(
      ledgerUsage(
        mergeUsage(usage, {
          output_tokens: 30,
          cache_creation: { ephemeral_5m_input_tokens: 6, ephemeral_1h_input_tokens: 4 },
        }),
      ),
    ).toEqual(expected);
    // Without the total, the writes by lifetime make it.
    expect(
      ledgerUsage({
        input_tokens: 20,
        output_tokens: 30,
        cache_creation_5m_input_tokens: 6,
        cache_creation_1h_input_tokens: 4,
      }),
    ).toEqual({
      input_tokens: 30,
      cache_write_tokens: 10,
      cache_write_1h_tokens: 4,
      output_tokens: 30,
    });
  });

  it('leaves out empty cache parts, and has no usage without input and output', () => {
    expect(ledgerUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 0 })).toEqual({
      input_tokens: 5,
      output_tokens: 2,
    });
    expect(ledgerUsage(mergeUsage(undefined, { output_tokens: 3 }))).toBeUndefined();
    expect(ledgerUsage(mergeUsage(undefined, null))).toBeUndefined();
  });

  it('ignores counts that are not counts', () => {
    expect(mergeUsage({ input_tokens: 5 }, { input_tokens: -1, output_tokens: 1.5 })).toEqual({
      input_tokens: 5,
    });
  });

  it('counts text, thinking, tool input and names as produced output', () => {
    expect(producedText({ type: 'text_delta', text: 'ab' })).toBe('ab');
    expect(producedText({ type: 'thinking_delta', thinking: 'hm' })).toBe('hm');
    expect(producedText({ type: 'input_json_delta', partial_json: '{"a"' })).toBe('{"a"');
    expect(
      messageText({
        content: [
          { type: 'text', text: 'x' },
          { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } },
        ],
      }),
    ).toBe('xf{"a":1}');
  });
});
