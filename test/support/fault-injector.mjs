// Loaded with `--import` into a real server process by test/e2e/fatal.test.ts. On SIGUSR2 it raises a fault
// nothing catches, as a bug would: an error thrown from a timer, or (FAULT=rejection) a rejected promise
// nobody handles. Its message carries a token-shaped secret and a stack-like second line, which must not be logged.
process.on('SIGUSR2', () => {
  const error = new Error(`injected fault near tbk_${'A'.repeat(43)}\n    at hidden (/secret/stack/frame.ts:1:1)`);
  if (process.env.FAULT === 'rejection') void Promise.reject(error);
  else
    setTimeout(() => {
      throw error;
    });
});
