import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ReadinessCheck } from './readiness-check';

export function databaseReadiness(dataSource: DataSource): ReadinessCheck {
  return {
    name: 'postgres',
    async check() {
      await dataSource.query('SELECT 1');
    },
  };
}

/** The app runs against the schema its code expects, never an older one. */
export function migrationsReadiness(dataSource: DataSource): ReadinessCheck {
  return {
    name: 'migrations',
    async check() {
      if (await dataSource.showMigrations()) throw new Error('migrations are pending');
    },
  };
}

export function kafkaReadiness(kafka: Kafka): ReadinessCheck {
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    async check() {
      if (!admin) {
        admin = kafka.admin({ retry: { retries: 0 } });
        await admin.connect().catch((error: unknown) => {
          admin = undefined;
          throw error;
        });
      }
      await admin.describeCluster();
    },
    async close() {
      const connected = admin;
      admin = undefined;
      await connected?.disconnect();
    },
  };
}
