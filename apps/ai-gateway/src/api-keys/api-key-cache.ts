import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { GatewayConfig } from '../config/gateway.config';
import { API_KEY_CHANNEL, type ApiKey } from './api-key.repository';

const RECONNECT_MS = 1000;
const MAX_ENTRIES = 100_000;

/**
 * Live keys (with their limits) this replica has read, so that a call does not read its key.
 * Every change of a key is announced with NOTIFY (see ApiKeyRepository); a dedicated connection
 * LISTENs and forgets the key at once, on every replica. While that connection is down nothing is
 * cached (a missed notification cannot leave a revoked key working), and a TTL bounds staleness
 * in any case.
 */
@Injectable()
export class ApiKeyCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly byHash = new Map<string, { key: ApiKey; until: number }>();
  private readonly hashOf = new Map<string, string>();
  /** Bumped by every change heard: a read begun before it must not be cached. */
  private generation = 0;
  private listener?: Client;
  private listening = false;
  private closing = false;
  private reconnect?: NodeJS.Timeout;

  constructor(private readonly config: GatewayConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.API_KEY_CACHE_TTL_MS > 0) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnect);
    await this.listener?.end().catch(() => undefined);
  }

  /** The key with this hash: from memory when it is known and fresh, else `load`ed. */
  async get(hash: Buffer, load: () => Promise<ApiKey | undefined>): Promise<ApiKey | undefined> {
    const id = hash.toString('hex');
    const cached = this.byHash.get(id);
    if (cached && this.listening && cached.until > Date.now()) return cached.key;
    const generation = this.generation;
    const key = await load();
    if (key && this.listening && generation === this.generation) {
      if (this.byHash.size >= MAX_ENTRIES) this.clear();
      this.byHash.set(id, { key, until: Date.now() + this.config.API_KEY_CACHE_TTL_MS });
      this.hashOf.set(key.id, id);
    }
    return key;
  }

  /** Forgets a key (it changed or was revoked). */
  forget(keyId: string): void {
    this.generation++;
    const hash = this.hashOf.get(keyId);
    if (hash === undefined) return;
    this.hashOf.delete(keyId);
    this.byHash.delete(hash);
  }

  private clear(): void {
    this.generation++;
    this.byHash.clear();
    this.hashOf.clear();
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.GATEWAY_DATABASE_URL,
      // Tells the replicas' listeners apart in pg_stat_activity.
      application_name: `tally-ai-gateway-keys-${process.pid}`,
    });
    const lost = (why: unknown) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.listening = false;
      this.clear();
      client.end().catch(() => undefined);
      if (this.closing) return;
      this.logger.warn(`key change listener lost (${String(why)}); keys are read every request`);
      this.reconnect = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.reconnect.unref();
    };
    this.listener = client;
    client.on('error', lost);
    client.on('end', () => lost('connection ended'));
    client.on('notification', (message) => {
      if (message.payload) this.forget(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_CHANNEL}`);
      if (this.listener === client) this.listening = true;
    } catch (error) {
      lost(error);
    }
  }
}
