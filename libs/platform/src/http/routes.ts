import type { Request } from 'express';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

/**
 * The route template that serves the request (`/accounts/:user_id`), or undefined when none does.
 * A catch-all template is a middleware's (the request logger is mounted on every path), not a route.
 */
export function matchedRoute(req: Request): string | undefined {
  const template = (req.route as { path?: unknown } | undefined)?.path;
  return typeof template === 'string' && !template.includes('*')
    ? `${req.baseUrl}${template}`
    : undefined;
}

/** The methods the app's routes serve on `path` (none: no route has that path). */
export function methodsServing(req: Request, path: string): string[] {
  const router = (req.app as unknown as { router?: { stack: RouteLayer[] } }).router;
  const methods = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (!layer.route || layer.route.path.includes('*') || !layer.match(path)) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') methods.add(method.toUpperCase());
    }
  }
  return [...methods];
}
