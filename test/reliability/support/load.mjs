// The soak test's load generator, run as its own process: autocannon at a fixed overall rate over a mix of
// Fusion reads, filtered reads, writes and GraphQL reads. Prints autocannon's result as one JSON line.
// Usage: node load.mjs <baseUrl> <token> <datasheetId> <seconds> <rate> <connections>
import autocannon from 'autocannon';

const [url, token, dst, seconds, rate, connections] = process.argv.slice(2);
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const filter = encodeURIComponent('AND({Qty} > 3, FIND("r", {Name}))');
let n = 0;
/** A business failure in a 200 envelope is an error too. */
const ok = (body) => {
  try {
    const parsed = JSON.parse(body);
    return parsed.success === true || (parsed.data && !parsed.errors);
  } catch {
    return false;
  }
};
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  overallRate: Number(rate),
  verifyBody: ok,
  requests: [
    { method: 'GET', path: `/fusion/v1/datasheets/${dst}/records?pageSize=20`, headers: auth },
    {
      method: 'GET',
      path: `/fusion/v1/datasheets/${dst}/records?pageSize=20&filterByFormula=${filter}`,
      headers: auth,
    },
    {
      method: 'POST',
      path: `/fusion/v1/datasheets/${dst}/records`,
      headers: auth,
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          records: Array.from({ length: 5 }, (_, i) => ({ fields: { Name: `load ${n++} ${i}`, Qty: i } })),
        }),
      }),
    },
    {
      method: 'POST',
      path: '/graphql',
      headers: auth,
      body: JSON.stringify({
        query: `{ records(datasheetId: "${dst}", first: 20, sort: [{ field: "Qty", order: DESC }]) { edges { node { id fields } } } }`,
      }),
    },
    { method: 'GET', path: `/fusion/v1/datasheets/${dst}/fields`, headers: auth },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    p99: result.latency.p99,
    p50: result.latency.p50,
    rps: result.requests.average,
  })}\n`,
);
