import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateProductDto, UpdateProductDto } from './product.dto';

const refused = (dto: new () => object, body: object) =>
  validateSync(plainToInstance(dto, body), { whitelist: true, forbidNonWhitelisted: true }).map(
    (e) => e.property,
  );

describe('product bodies', () => {
  const valid = {
    sku: 'pack-500',
    name: 'Pack',
    credit_amount: 500,
    price_cent: 499,
    currency: 'USD',
  };

  it('accepts a product with only the required fields, or every field', () => {
    expect(refused(CreateProductDto, valid)).toEqual([]);
    expect(
      refused(CreateProductDto, {
        ...valid,
        original_price_cent: 999,
        badge: 'hot',
        status: 'inactive',
        sort_order: -5,
      }),
    ).toEqual([]);
  });

  it.each([
    ['sku', { sku: '-starts-with-dash' }],
    ['credit_amount', { credit_amount: 0 }],
    ['credit_amount', { credit_amount: 1e13 }],
    ['price_cent', { price_cent: 0.5 }],
    ['currency', { currency: 'US' }],
    ['currency', { currency: 'usd' }],
    ['status', { status: null }],
    ['sort_order', { sort_order: 2_000_000 }],
  ])('refuses a bad %s', (field, change) => {
    expect(refused(CreateProductDto, { ...valid, ...change })).toEqual([field]);
  });

  it('lets a change leave anything out and clear the optional fields with null', () => {
    expect(refused(UpdateProductDto, {})).toEqual([]);
    expect(refused(UpdateProductDto, { badge: null, original_price_cent: null })).toEqual([]);
  });

  it('refuses null for the fields a product cannot be without', () => {
    const fields = [
      'sku',
      'name',
      'credit_amount',
      'price_cent',
      'currency',
      'status',
      'sort_order',
    ];
    const body = Object.fromEntries(fields.map((f) => [f, null]));
    expect(refused(UpdateProductDto, body).sort()).toEqual([...fields].sort());
  });
});
