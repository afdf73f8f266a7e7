/**
 * Which tools a request may carry: those the client runs itself, which cost only the tokens the
 * upstream reports. A server tool (web search, web fetch, code execution, MCP, hosted file search...)
 * runs on the upstream's account and is billed per use or per container beyond those tokens, which
 * the usage does not price: the gateway could not meter it. An allowlist, so a tool type that
 * appears tomorrow is refused until it is known, not served free.
 */
export interface ToolPolicy {
  isClientTool(tool: Record<string, unknown>): boolean;
  /** The tools allowed, said for people. */
  allowed: string;
}

/** OpenAI's chat completions and Responses API: functions and custom (free-form) tools. */
export const OPENAI_TOOLS: ToolPolicy = {
  isClientTool: (tool) => tool.type === 'function' || tool.type === 'custom',
  allowed: 'function and custom tools',
};

/**
 * Anthropic's tool reference: user-defined tools (no type, or `custom`) and the Anthropic-schema
 * client tools bash, text_editor, computer and memory, which the caller executes; every other
 * versioned type (web_search_*, web_fetch_*, code_execution_*, tool_search_tool_*, advisor_*,
 * mcp_toolset...) executes on Anthropic's infrastructure.
 */
const ANTHROPIC_CLIENT_TOOL = /^(bash|text_editor|computer|memory)_\d{8}$/;
export const ANTHROPIC_TOOLS: ToolPolicy = {
  isClientTool: (tool) =>
    tool.type === undefined ||
    tool.type === 'custom' ||
    (typeof tool.type === 'string' && ANTHROPIC_CLIENT_TOOL.test(tool.type)),
  allowed:
    'tools without a type (or custom) and the client tools bash, text_editor, computer and memory',
};

/** Why the request's `tools` cannot be served (the first refused tool named), or undefined. */
export function unmeteredTools(tools: unknown, policy: ToolPolicy): string | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return 'tools: must be a list';
  for (const [i, tool] of tools.entries()) {
    if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) {
      return `tools[${i}]: must be an object`;
    }
    if (!policy.isClientTool(tool as Record<string, unknown>)) {
      const type = (tool as { type?: unknown }).type;
      const named = typeof type === 'string' ? type : (JSON.stringify(type) ?? 'none');
      return `tools[${i}].type: ${named} is not supported: only ${policy.allowed} can be metered (server tools are billed per use beyond tokens)`;
    }
  }
  return undefined;
}

/** The first of these top-level fields the body gives, as a refusal naming it; else undefined. */
export function unmeteredField(
  body: Record<string, unknown>,
  refused: Record<string, string>,
): string | undefined {
  const field = Object.keys(refused).find((f) => body[f] !== undefined && body[f] !== null);
  return field && `${field}: not supported: ${refused[field]}`;
}
