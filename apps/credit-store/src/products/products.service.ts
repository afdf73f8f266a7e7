import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { ErrorCode } from '@tally/contracts';
import { DomainError, sqlStateOf } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import type { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import type { Product } from './product';
import { ProductRepository } from './product.repository';

@Injectable()
export class ProductsService {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly products: ProductRepository,
  ) {}

  create(product: CreateProductDto): Promise<Product> {
    // In a transaction, so that its audit record commits with it (never one without the other).
    return this.uniqueSku(product.sku, () =>
      this.db.transaction((db) => this.products.insert(db, product)),
    );
  }

  async update(id: number, change: UpdateProductDto): Promise<Product> {
    const updated = await this.uniqueSku(change.sku, () =>
      this.db.transaction((db) => this.products.update(db, id, change)),
    );
    if (!updated) throw notFound(id);
    return updated;
  }

  async get(id: number, db: EntityManager = this.db): Promise<Product> {
    const product = await this.products.find(db, id);
    if (!product) throw notFound(id);
    return product;
  }

  list(onlyActive: boolean): Promise<Product[]> {
    return this.products.list(this.db, onlyActive);
  }

  private async uniqueSku<T>(sku: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (sqlStateOf(error) === '23505') {
        throw new DomainError(ErrorCode.AlreadyExists, `a product with sku ${sku} already exists`);
      }
      throw error;
    }
  }
}

function notFound(id: number): DomainError {
  return new DomainError(ErrorCode.NotFound, `product ${id} does not exist`);
}
