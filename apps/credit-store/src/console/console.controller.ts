import { Controller, Get, Inject, Res } from '@nestjs/common';
import { Public } from '@tally/platform';
import type { Response } from 'express';
import { CONSOLE_ASSETS, ConsoleAssetName, type ConsoleAssets } from './console-assets';

/**
 * Only our own files may run or load: user data rendered by mistake as markup still could not
 * execute, and the page cannot be framed (the admin token is typed into it).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The finance console's page and assets. Public: they hold no data; the page asks for the admin
 * token and calls the (guarded) JSON endpoints with it.
 */
@Controller('console')
@Public()
export class ConsoleController {
  constructor(@Inject(CONSOLE_ASSETS) private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('console.js')
  script(@Res() res: Response): void {
    this.send(res, 'console.js');
  }

  @Get('console.css')
  style(@Res() res: Response): void {
    this.send(res, 'console.css');
  }

  private send(res: Response, name: ConsoleAssetName): void {
    const asset = this.assets[name];
    res
      .status(200)
      .set({
        'content-type': asset.contentType,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // Revalidated each time, so a deploy is seen at once (the files are small).
        'cache-control': 'no-cache',
      })
      .send(asset.body);
  }
}
