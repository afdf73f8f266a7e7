import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import type { Product } from './product';

const COLUMNS = `id::int AS id, sku, name, credit_amount::float8 AS credit_amount,
                 price_cent::float8 AS price_cent, original_price_cent::float8 AS original_price_cent,
                 currency, badge, status, sort_order, created_at, updated_at`;
const FIELDS = [
  'sku',
  'name',
  'credit_amount',
  'price_cent',
  'original_price_cent',
  'currency',
  'badge',
  'status',
  'sort_order',
] as const;

/** Amounts are capped at MAX_AMOUNT (< 2^53), so reading them as float8 is exact. */
@Injectable()
export class ProductRepository {
  async insert(db: EntityManager, product: CreateProductDto): Promise<Product> {
    const rows: Product[] = await db.query(
      `INSERT INTO products (${FIELDS.join(', ')})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        product.sku,
        product.name,
        product.credit_amount,
        product.price_cent,
        product.original_price_cent ?? null,
        product.currency,
        product.badge ?? null,
        product.status ?? 'active',
        product.sort_order ?? 0,
      ],
    );
    return rows[0];
  }

  /** Changes only the fields given. */
  async update(
    db: EntityManager,
    id: number,
    change: UpdateProductDto,
  ): Promise<Product | undefined> {
    const fields = FIELDS.filter((f) => change[f] !== undefined);
    const sets = fields.map((f, i) => `${f} = $${i + 2}`);
    const rows: Product[] = await db.query(
      `WITH changed AS (UPDATE products SET ${[...sets, 'updated_at = now()'].join(', ')}
                         WHERE id = $1 RETURNING *)
       SELECT ${COLUMNS} FROM changed`,
      [id, ...fields.map((f) => change[f])],
    );
    return rows[0];
  }

  async find(db: EntityManager, id: number): Promise<Product | undefined> {
    const rows: Product[] = await db.query(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]);
    return rows[0];
  }

  async list(db: EntityManager, onlyActive: boolean): Promise<Product[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM products WHERE NOT $1 OR status = 'active' ORDER BY sort_order, id`,
      [onlyActive],
    );
  }
}
