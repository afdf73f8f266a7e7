import type { RequestHandler } from 'express';

/**
 * The API documentation page (where admins paste their tokens) may not be shown inside another
 * site's frame, which could otherwise overlay it and take the clicks and keys meant for it.
 */
export const noFramingOfDocs: RequestHandler = (req, res, next) => {
  if (req.path.startsWith('/docs')) {
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
  }
  next();
};
