// The floor of `npm run bench:gateway`: a pass-through proxy on the gateway's HTTP stack (Express 5,
// its JSON body parser, Node's fetch to the upstream) with nothing else: no keys, no balance, no
// charge. What the gateway adds over this is the cost of metering.
const express = require('express');

const upstream = process.env.BARE_UPSTREAM;
const PASSED = ['authorization', 'x-api-key', 'anthropic-version'];
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '10mb' }));
app.use('/v1', async (req, res) => {
  const headers = { 'content-type': 'application/json' };
  for (const name of PASSED) if (req.headers[name]) headers[name] = req.headers[name];
  const answer = await fetch(`${upstream}${req.path}`, {
    method: req.method,
    headers,
    body: JSON.stringify(req.body),
  });
  res.status(answer.status).type(answer.headers.get('content-type') ?? 'application/json');
  if (req.body.stream) {
    for await (const chunk of answer.body) res.write(chunk);
    res.end();
  } else {
    res.send(await answer.text());
  }
});
app.get('/health/ready', (_req, res) => res.send('ok'));
app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
