/** The baseline: a bare node:http server answering a record-shaped JSON body, to compare request throughput against. */
import http from 'node:http';

// Record-shaped: a Fusion page of one record, as GET …/records?recordIds=<id> answers.
const body = JSON.stringify({
  code: 200,
  success: true,
  data: {
    total: 1,
    pageNum: 1,
    pageSize: 1,
    records: [
      {
        recordId: 'rec0000000000',
        createdAt: 1765065600000,
        updatedAt: 1765065600000,
        fields: { Title: 'Order 7', Qty: 7, Status: 'done' },
      },
    ],
  },
  message: 'SUCCESS',
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
