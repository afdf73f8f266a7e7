import { readResponsesRequest } from './responses-request';

const reasonOf = (body: unknown): string | undefined => {
  try {
    readResponsesRequest(body);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('readResponsesRequest', () => {
  it('reads model, stream, the output limit and the response it continues, keeping the body', () => {
    const body = {
      model: 'm',
      input: [{ role: 'user', content: 'Hello there, how are you today?' }],
      instructions: 'Be brief.',
      tools: [{ type: 'function', name: 'lookup', parameters: {} }],
      stream: true,
      max_output_tokens: 50,
      previous_response_id: 'resp_1',
      temperature: 0.2,
    };
    const request = readResponsesRequest(body);
    expect(request).toMatchObject({
      model: 'm',
      stream: true,
      maxOutputTokens: 50,
      previousResponseId: 'resp_1',
    });
    expect(request.body).toBe(body);
    const read = JSON.stringify([body.input, body.instructions, body.tools]);
    expect(request.promptTokens).toBe(Math.ceil(Buffer.byteLength(read) / 4));
  });

  it('has no limit when none is given, and takes a prompt template instead of input', () => {
    expect(readResponsesRequest({ model: 'm', input: 'hi' }).maxOutputTokens).toBeUndefined();
    expect(readResponsesRequest({ model: 'm', prompt: { id: 'pmpt_1' } }).stream).toBe(false);
  });

  it('refuses what it cannot meter, naming the field', () => {
    expect(reasonOf({ model: 'm', input: 'x', background: true })).toContain('background:');
    expect(readResponsesRequest({ model: 'm', input: 'x', background: false }).model).toBe('m');
    for (const type of ['web_search', 'file_search', 'code_interpreter', 'mcp', undefined]) {
      expect(
        reasonOf({ model: 'm', input: 'x', tools: [{ type: 'function' }, { type }] }),
      ).toContain('tools[1].type:');
    }
    expect(reasonOf({ model: 'm', input: 'x', conversation: 'c' })).toContain('conversation:');
    expect(
      reasonOf({ model: 'm', input: ['x', { type: 'item_reference', id: 'msg_1' }] }),
    ).toContain('input[1].type:');
  });

  it('refuses audio input, naming the part: it is not priced', () => {
    const audio = { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } };
    expect(
      reasonOf({
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Listen:' }, audio] }],
      }),
    ).toMatch(/^input\[0\]\.content\[1\]: audio is not served/);
  });

  it('refuses malformed fields with the field’s name', () => {
    expect(reasonOf(null)).toContain('body must be a JSON object');
    expect(reasonOf({ input: 'x' })).toContain('model:');
    expect(reasonOf({ model: 'm' })).toContain('input: is required');
    expect(reasonOf({ model: 'm', input: 1 })).toContain('input:');
    expect(reasonOf({ model: 'm', input: 'x', stream: 'yes' })).toContain('stream:');
    for (const max of [0, -1, 1.5, '10']) {
      expect(reasonOf({ model: 'm', input: 'x', max_output_tokens: max })).toContain(
        'max_output_tokens:',
      );
    }
    expect(reasonOf({ model: 'm', input: 'x', tools: {} })).toContain('tools:');
    for (const id of [7, '', 'a\u0000b', 'r'.repeat(257)]) {
      expect(reasonOf({ model: 'm', input: 'x', previous_response_id: id })).toContain(
        'previous_response_id:',
      );
    }
  });
});
