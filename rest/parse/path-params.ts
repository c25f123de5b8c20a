import type { NextFunction, Request, Response, Router } from 'express';
import { MalformedRequest } from '../errors.js';

/**
 * Refuses a request whose path parameter cannot be an id before any route runs: a segment that is not valid
 * percent-encoding (express would throw a URIError while routing, naming no parameter) or that decodes to
 * text holding a NUL (which no id contains, and which PostgreSQL cannot compare as text). The parameter is
 * named from the router's own route templates (`/v1/datasheets/:datasheetId/views`); a path that matches
 * no template is left to routing, which answers it as an unknown route.
 */
export function pathParameterGuard(router: Router) {
  let templates: string[][] | undefined;
  return (req: Request, _res: Response, next: NextFunction): void => {
    templates ??= routeTemplates(router);
    const segments = req.path.replace(/\/+$/, '').split('/');
    const fault = templates.map((template) => faultIn(template, segments)).find((found) => found !== undefined);
    next(fault);
  };
}

/** The segments of every route registered on the router so far (`['', 'v1', 'datasheets', ':datasheetId']`). */
function routeTemplates(router: Router): string[][] {
  const paths = router.stack.map((layer) => (layer as { route?: { path?: unknown } }).route?.path);
  return paths.filter((path): path is string => typeof path === 'string').map((path) => path.split('/'));
}

function faultIn(template: string[], segments: string[]): MalformedRequest | undefined {
  if (template.length !== segments.length) return undefined;
  if (!template.every((part, i) => part.startsWith(':') || part.toLowerCase() === segments[i]!.toLowerCase()))
    return undefined;
  for (const [i, part] of template.entries()) {
    if (!part.startsWith(':')) continue;
    const problem = segmentProblem(segments[i]!);
    if (problem) return malformedParameter(part.slice(1), problem);
  }
  return undefined;
}

/** What is wrong with one raw path segment as a parameter value, if anything. */
export function segmentProblem(raw: string): string | undefined {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return 'it is not valid percent-encoding';
  }
  return value.includes('\u0000') ? 'it contains a NUL character' : undefined;
}

export const malformedParameter = (name: string, problem: string) =>
  new MalformedRequest(name, `Invalid value for ${name}: ${problem}`);
