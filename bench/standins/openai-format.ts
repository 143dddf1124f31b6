import type { ServerResponse } from 'node:http';

/** Bodies in the OpenAI Chat Completions formats, built from a script item. */

export const MODEL_SNAPSHOT = 'gpt-4.1-2025-04-14';

export type OpenAIScriptItem =
  | { text: string }
  | { text?: string; toolCall: { name: string; arguments: Record<string, unknown> } };

export interface OpenAIChatRequest {
  model?: string;
  messages?: Array<{
    role: string;
    content?: unknown;
    tool_calls?: unknown;
    tool_call_id?: string;
  }>;
  tools?: Array<{
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** Words with their leading space, roughly how OpenAI tokens arrive. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function usage(body: OpenAIChatRequest, completionTokens: number) {
  const promptTokens = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A non-streaming `chat.completion`. */
export function completionBody(
  id: string,
  body: OpenAIChatRequest,
  item: OpenAIScriptItem,
  callId: string,
) {
  const toolCalls =
    'toolCall' in item
      ? [
          {
            id: callId,
            type: 'function',
            function: {
              name: item.toolCall.name,
              arguments: JSON.stringify(item.toolCall.arguments),
            },
          },
        ]
      : undefined;
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL_SNAPSHOT,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: item.text ?? null,
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: usage(body, tokenize(item.text ?? '').length),
  };
}

export function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  code: string | null = null,
) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}
