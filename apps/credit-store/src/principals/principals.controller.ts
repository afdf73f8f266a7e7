import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { Audited, currentRequestScope, DomainError, RequireRole } from '@tally/platform';
import { CreatePrincipalDto, ResolvePrincipalDto, RotatePrincipalDto } from './dto/principal.dto';
import { PrincipalDirectory } from './principal-directory';
import { PrincipalsService } from './principals.service';

function principalId(id: string): string {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new DomainError(ErrorCode.NotFound, `no principal ${id}`);
  return id;
}

/** Named credentials, one role each: admin only (the default). */
@Controller('admin/principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  /** The token (answered this once) authenticates on both apps. */
  @Post()
  @Audited('principal.create', { type: 'principal' })
  create(@Body() body: CreatePrincipalDto) {
    return this.principals.create(body);
  }

  @Get()
  list() {
    return this.principals.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.principals.get(principalId(id));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Audited('principal.revoke', { type: 'principal', param: 'id' })
  revoke(@Param('id') id: string) {
    return this.principals.revoke(principalId(id));
  }

  /** A new token; the old one keeps working `old_token_valid_seconds` (default a day). */
  @Post(':id/rotate')
  @HttpCode(200)
  @Audited('principal.rotate', { type: 'principal', param: 'id' })
  rotate(@Param('id') id: string, @Body() body: RotatePrincipalDto) {
    return this.principals.rotate(principalId(id), body);
  }
}

/** The gateway's lookup of a principal's token, by its SHA-256 (service). */
@Controller('principals/resolve')
@RequireRole('service')
export class PrincipalResolveController {
  constructor(private readonly directory: PrincipalDirectory) {}

  @Post()
  @HttpCode(200)
  async resolve(@Body() body: ResolvePrincipalDto) {
    const principal = await this.directory.findByDigest(Buffer.from(body.token_sha256, 'hex'));
    if (!principal) throw new DomainError(ErrorCode.NotFound, 'no principal has this token');
    return principal;
  }
}

/** Who the token belongs to (the console asks at login, to show only what the role may see). */
@Controller('principals/me')
@RequireRole('finance', 'support', 'service')
export class PrincipalSelfController {
  @Get()
  me() {
    const { id, name, role } = currentRequestScope()!.principal!;
    return { id, name, role };
  }
}
