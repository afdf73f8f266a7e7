import {
  anthropicErrorFromOpenAi,
  anthropicStreamError,
  openAiErrorFromAnthropic,
  openAiStreamError,
} from './upstream-errors';

describe('upstream errors in the caller’s shape', () => {
  it('puts an Anthropic error answer in OpenAI’s shape, its type as the code', () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(openAiErrorFromAnthropic(529, body)).toEqual({
      error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded_error' },
    });
    expect(openAiErrorFromAnthropic(429, body).error.type).toBe('rate_limit_error');
    expect(openAiErrorFromAnthropic(400, body).error.type).toBe('invalid_request_error');
  });

  it('puts an OpenAI error answer in Anthropic’s shape, typed by its status', () => {
    const body = JSON.stringify({ error: { message: 'Slow down', type: 'requests', code: null } });
    expect(anthropicErrorFromOpenAi(429, body)).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down' },
    });
    expect(anthropicErrorFromOpenAi(401, body).error.type).toBe('authentication_error');
  });

  it('keeps the text of an answer that is not JSON, or says the status', () => {
    expect(anthropicErrorFromOpenAi(502, '<html>bad gateway</html>').error).toEqual({
      type: 'api_error',
      message: '<html>bad gateway</html>',
    });
    expect(openAiErrorFromAnthropic(500, '').error.message).toBe('the upstream answered 500');
  });

  it('maps mid-stream error events both ways', () => {
    expect(
      openAiStreamError({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      }),
    ).toBe(
      'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}',
    );
    expect(anthropicStreamError({ error: { message: 'Boom', type: 'server_error' } })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Boom"}}',
    );
  });
});
