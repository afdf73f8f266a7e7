import { eventData, ServerSentEvents } from './server-sent-events';

describe('ServerSentEvents', () => {
  it('yields each event once it is complete, however the bytes were cut', () => {
    const sse = new ServerSentEvents();
    expect(sse.push('data: {"a":')).toEqual([]);
    expect(sse.push('1}\n\ndata: {"b":2}\n')).toEqual(['data: {"a":1}']);
    expect(sse.push('\n: keep-alive\n\ndata: [DONE]\r\n\r\n')).toEqual([
      'data: {"b":2}',
      ': keep-alive',
      'data: [DONE]',
    ]);
    expect(sse.rest()).toBe('');
  });

  it('reads the data of an event, joining several data lines, and none of a comment', () => {
    expect(eventData('data: {"a":1}')).toBe('{"a":1}');
    expect(eventData('event: x\ndata:1\ndata: 2')).toBe('1\n2');
    expect(eventData(': keep-alive')).toBeUndefined();
  });
});
