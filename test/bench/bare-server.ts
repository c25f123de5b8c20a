/** The baseline: a bare node:http server answering the same JSON body, to compare request throughput against. */
import http from 'node:http';

const body = JSON.stringify({
  code: 200,
  success: true,
  data: { spaces: [{ id: 'spc0000000000', name: 'My Space', isAdmin: true }] },
  message: 'SUCCESS',
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
