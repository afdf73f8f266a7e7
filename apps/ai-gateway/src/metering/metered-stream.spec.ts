import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { PassThrough } from 'node:stream';
import { chatStreamDialect } from '../chat/chat-stream';
import { UpstreamAnswer } from '../upstreams/upstream-answer';
import type { OpenedCall } from './metered-calls';
import { MeteredStream } from './metered-stream';

/** A client's answer: what was written to it, in order. */
function clientAnswer() {
  const stream = new PassThrough().resume();
  const res = stream as unknown as Response & { written: string[] };
  res.written = [];
  const write = stream.write.bind(stream);
  Object.assign(res, {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (text: string) => {
      res.written.push(text);
      return write(text);
    },
  });
  return res;
}

describe('MeteredStream', () => {
  it('starts the charge when the terminal event is read, before the upstream closes', async () => {
    const upstream = new PassThrough();
    const steps: string[] = [];
    const opened = {
      call: {
        cover: () => Promise.resolve(true),
        coveredOutput: Infinity,
        settle: () => {
          steps.push('charge started');
          return Promise.resolve(1);
        },
        abandon: () => Promise.resolve(),
      },
      exchange: {
        upstream: { id: 'fake', api: 'openai', provider: 'fake' },
        send: () => Promise.resolve(new UpstreamAnswer(200, {}, upstream)),
        touch: () => undefined,
        finish: () => undefined,
        cancel: () => undefined,
      },
    } as unknown as OpenedCall;
    const res = clientAnswer();
    const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;
    const request = {
      path: '/chat/completions',
      body: {},
      promptTokens: 3,
      dialect: chatStreamDialect(true),
    };
    const running = new MeteredStream(opened, request, res, logger).run();
    upstream.write(
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n' +
        'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\n' +
        'data: [DONE]\n\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    steps.push('upstream closed');
    upstream.end();
    await running;
    expect(steps).toEqual(['charge started', 'upstream closed']);
    expect(res.written.at(-1)).toBe('data: [DONE]\n\n');
  });
});
