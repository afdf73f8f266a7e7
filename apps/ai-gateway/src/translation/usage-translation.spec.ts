import { anthropicUsageOf, openAiUsageOf } from './usage-translation';

describe('usage between the APIs', () => {
  it('counts Anthropic’s cache reads and writes in OpenAI’s prompt_tokens', () => {
    expect(
      openAiUsageOf({
        input_tokens: 20,
        cache_read_input_tokens: 40,
        cache_creation_input_tokens: 10,
        output_tokens: 30,
      }),
    ).toEqual({
      prompt_tokens: 70,
      completion_tokens: 30,
      total_tokens: 100,
      prompt_tokens_details: { cached_tokens: 40, cache_write_tokens: 10 },
    });
  });

  it('takes OpenAI’s cached tokens out of Anthropic’s input_tokens, never below 0', () => {
    expect(
      anthropicUsageOf({
        prompt_tokens: 30,
        completion_tokens: 20,
        prompt_tokens_details: { cached_tokens: 10 },
      }),
    ).toEqual({
      input_tokens: 20,
      output_tokens: 20,
      cache_read_input_tokens: 10,
      cache_creation_input_tokens: 0,
    });
    expect(
      anthropicUsageOf({ prompt_tokens: 5, prompt_tokens_details: { cached_tokens: 9 } }),
    ).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 5 });
    expect(anthropicUsageOf(undefined)).toMatchObject({ input_tokens: 0, output_tokens: 0 });
  });
});
