/** The model of the load's chat calls, served by the fake upstream alone on node `up`. */
export const CHAT_MODEL = 'partition-chat';
export const CHAT_PORT = 3900;
/** What the fake reports for every call: at one credit a token (the scenario's price rule)… */
export const CHAT_USAGE = { prompt_tokens: 10, completion_tokens: 5 };
/** … each call answered 200 is charged exactly this. */
export const CHAT_PRICE = CHAT_USAGE.prompt_tokens + CHAT_USAGE.completion_tokens;
