import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getMetadataStorage } from 'class-validator';
import type { OpenAPIObject } from '@nestjs/swagger';
import { RunningApp, startCreditStore, startGateway } from './support/apps';

type Operation = {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
};
type Schema = { properties?: Record<string, unknown>; required?: string[] };

async function documentOf(app: RunningApp): Promise<OpenAPIObject> {
  const response = await fetch(`${app.url}/docs-json`); // no token: the docs are public
  expect(response.status).toBe(200);
  return (await response.json()) as OpenAPIObject;
}

/**
 * Every route Express actually serves, as "METHOD /path/{param}": not Swagger's own, nor the
 * catch-all entries (`/{*path}`) under which Nest mounts the request logger's middleware.
 */
function servedRoutes(app: NestExpressApplication): string[] {
  const router = (
    app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  ).router;
  return router.stack.flatMap(({ route }) =>
    route && !route.path.startsWith('/docs') && !route.path.includes('*')
      ? Object.keys(route.methods).map(
          (method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`,
        )
      : [],
  );
}

function documentedRoutes(document: OpenAPIObject): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function operations(document: OpenAPIObject): Map<string, Operation> {
  return new Map(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, op]) => [
        `${method.toUpperCase()} ${path}`,
        op,
      ]),
    ),
  );
}

/** The properties class-validator validates on a DTO (inherited ones included). */
function validatedProperties(dto: new () => unknown): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

/** Every @Body() and @Query() DTO class of the app's handlers, by operation id. */
function requestDtos(app: NestExpressApplication) {
  const found: { operationId: string; kind: 'body' | 'query'; dto: new () => unknown }[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new () => unknown) | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata(
          'design:paramtypes',
          controller.prototype as object,
          method,
        ) ?? []) as unknown[];
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]) as RouteParamtypes;
          const type = types[arg.index];
          if (arg.data !== undefined || typeof type !== 'function' || type === Object) continue;
          if (validatedProperties(type as new () => unknown).length === 0) continue;
          if (kind === RouteParamtypes.BODY || kind === RouteParamtypes.QUERY) {
            found.push({
              operationId: `${controller.name}_${method}`,
              kind: kind === RouteParamtypes.BODY ? 'body' : 'query',
              dto: type as new () => unknown,
            });
          }
        }
      }
    }
  }
  return found;
}

describe('OpenAPI at /docs', () => {
  let store: RunningApp;
  let gateway: RunningApp;
  const docs: Record<string, OpenAPIObject> = {};

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    gateway = await startGateway();
    docs.store = await documentOf(store);
    docs.gateway = await documentOf(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
  });

  it('serves the UI without a token', async () => {
    for (const app of [store, gateway]) {
      const response = await fetch(`${app.url}/docs`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('swagger-ui');
    }
  });

  it.each(['store', 'gateway'])('lists every route the %s serves, and nothing else', (name) => {
    const app = name === 'store' ? store : gateway;
    const served = servedRoutes(app.app).sort();
    expect(served.length).toBeGreaterThan(name === 'store' ? 30 : 10);
    expect(documentedRoutes(docs[name]).sort()).toEqual(served);
  });

  it.each(['store', 'gateway'])(
    'documents each %s request DTO with exactly the fields it validates',
    (name) => {
      const app = name === 'store' ? store : gateway;
      const document = docs[name];
      const byId = new Map([...operations(document).values()].map((op) => [op.operationId, op]));
      const dtos = requestDtos(app.app);
      expect(dtos.length).toBeGreaterThan(name === 'store' ? 12 : 1);
      for (const { operationId, kind, dto } of dtos) {
        const operation = byId.get(operationId)!;
        const fields = validatedProperties(dto);
        if (kind === 'query') {
          const names = (operation.parameters ?? [])
            .filter((p) => p.in === 'query')
            .map((p) => p.name);
          expect({ operationId, fields: names.sort() }).toEqual({ operationId, fields });
          continue;
        }
        const ref = operation.requestBody?.content['application/json'].schema.$ref;
        expect({ operationId, ref }).toEqual({
          operationId,
          ref: `#/components/schemas/${dto.name}`,
        });
        const schema = document.components!.schemas![dto.name] as Schema;
        expect({ dto: dto.name, fields: Object.keys(schema.properties ?? {}).sort() }).toEqual({
          dto: dto.name,
          fields,
        });
      }
    },
  );

  it('marks required fields and nests the shared contract types', () => {
    const schemas = docs.gateway.components!.schemas! as Record<string, Schema>;
    expect(schemas.CreateChargeDto.required).toEqual(
      expect.arrayContaining(['event_id', 'user_id', 'source']),
    );
    expect(schemas.CreateChargeDto.required).not.toContain('amount');
    expect(schemas.CreateChargeDto.properties!.usage).toEqual({
      $ref: '#/components/schemas/ChargeUsage',
    });
    expect(Object.keys(schemas.ChargeUsage.properties!)).toEqual(
      expect.arrayContaining(['input_tokens', 'output_tokens', 'seconds']),
    );
  });

  it('names the roles of each route as the token guard enforces them (admin everywhere)', () => {
    const security = (name: string, route: string) => operations(docs[name]).get(route)?.security;
    expect(Object.keys(docs.store.components!.securitySchemes!).sort()).toEqual([
      'admin',
      'finance',
      'service',
      'support',
    ]);
    expect(Object.keys(docs.gateway.components!.securitySchemes!).sort()).toEqual([
      'admin',
      'api-key',
      'finance',
      'service',
      'support',
    ]);
    expect(security('store', 'GET /products')).toEqual([]);
    expect(security('store', 'GET /health/ready')).toEqual([]);
    expect(security('store', 'GET /metrics')).toEqual([]);
    expect(security('store', 'POST /accounts/{user_id}/grants')).toEqual([
      { admin: [] },
      { support: [] },
    ]);
    expect(security('store', 'POST /admin/products')).toEqual([{ admin: [] }]);
    expect(security('store', 'GET /accounts/{user_id}')).toEqual([
      { admin: [] },
      { service: [] },
      { finance: [] },
      { support: [] },
    ]);
    expect(security('gateway', 'POST /internal/charges')).toEqual([{ admin: [] }, { service: [] }]);
    expect(security('gateway', 'POST /v1/chat/completions')).toEqual([{ 'api-key': [] }]);
    for (const route of ['POST /v1/responses', 'GET /v1/responses/{id}', 'POST /v1/embeddings']) {
      expect(security('gateway', route)).toEqual([{ 'api-key': [] }]);
    }
    expect(security('gateway', 'POST /v1/messages')).toEqual([{ 'api-key': [] }]);
    expect(security('gateway', 'POST /v1/messages/count_tokens')).toEqual([{ 'api-key': [] }]);
    expect(security('gateway', 'POST /admin/api-keys')).toEqual([{ admin: [] }]);
  });
});
