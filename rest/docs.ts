import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);

/** The paths createDocsRouter answers (case-insensitively, as express routes match). */
export function isDocsPath(path: string): boolean {
  const lower = path.toLowerCase().replace(/\/$/, '');
  return lower === '/v1/openapi.json' || lower === '/docs' || lower.startsWith('/docs/');
}

/**
 * The OpenAPI document tsoa generates (`rest/openapi.json`) at `/fusion/v1/openapi.json`, and an
 * interactive console at `/fusion/docs` (Swagger UI served from the installed package, no CDN). The token
 * typed into the console stays in the page's memory: authorization is not persisted.
 */
export function createDocsRouter(): Router {
  const router = express.Router();
  const spec = readFileSync(new URL('./openapi.json', import.meta.url), 'utf8');
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/v1/openapi.json', (_req, res) => void res.type('application/json').send(spec));
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1h' }));
  router.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Fusion API console</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="console"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: 'v1/openapi.json', dom_id: '#console', persistAuthorization: false, tryItOutEnabled: true });
  </script>
</body>
</html>`);
  });
  return router;
}
