import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Role } from '../auth/roles';
import { DeclaredAccess, rolesAdmitted, TOKEN_ROLES } from '../auth/token-auth.decorator';

export interface OpenApiOptions {
  title: string;
  description: string;
  /** The app's generated `openapi.metadata.ts` (scripts/openapi-metadata.js). */
  metadata: () => Promise<Record<string, unknown>>;
}

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Declared = DeclaredAccess;

const SCHEMES: Record<Role | 'api-key', string> = {
  admin: 'An admin principal, or ADMIN_TOKEN: everything',
  finance: 'A finance principal: every read, no write',
  support: "A support principal: finance's reads, grants, voids and refunds within its daily limit",
  service:
    'A service principal, or INTERNAL_TOKEN: internal charges, refunds, holds, orders, lookups',
  'api-key': "A user's API key (POST /admin/api-keys)",
};

/**
 * Builds the app's OpenAPI document from its controllers and DTOs and serves it: the UI at /docs,
 * the JSON at /docs-json. Swagger's routes sit on Express itself, outside the token guard: public.
 */
export async function setupOpenApi(
  app: NestExpressApplication,
  options: OpenApiOptions,
): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(options.metadata);
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1');
  for (const [name, description] of Object.entries(SCHEMES)) {
    builder.addBearerAuth({ type: 'http', scheme: 'bearer', description }, name);
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  applyTokenSecurity(app, document);
  SwaggerModule.setup('docs', app, document);
  return document;
}

/**
 * Each operation's security, read from the same metadata the token guard reads (method over
 * class, admin always), so the document cannot say other than the guard does.
 */
function applyTokenSecurity(app: NestExpressApplication, document: OpenAPIObject): void {
  const reflector = app.get(Reflector);
  const byOperationId = new Map<string, Declared>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        byOperationId.set(
          `${controller.name}_${name}`,
          reflector.getAllAndOverride<Declared>(TOKEN_ROLES, [handler, controller]),
        );
      }
    }
  }
  const used = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const value of Object.values(item as Record<string, unknown>)) {
      if (!value || typeof value !== 'object' || !('operationId' in value)) continue;
      const operation = value as OperationObject;
      const declared = byOperationId.get(String(operation.operationId));
      const schemes =
        declared === 'public'
          ? []
          : declared === 'delegated'
            ? ['api-key']
            : rolesAdmitted(declared);
      schemes.forEach((scheme) => used.add(scheme));
      operation.security = schemes.map((scheme) => ({ [scheme]: [] }));
    }
  }
  const defined = document.components?.securitySchemes ?? {};
  for (const scheme of Object.keys(defined)) if (!used.has(scheme)) delete defined[scheme];
}
