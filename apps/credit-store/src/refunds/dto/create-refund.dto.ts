import { RefundRequest } from '@tally/contracts';

/** Body of `POST /accounts/{user_id}/refunds`: the contract's refund request, as is. */
export class CreateRefundDto extends RefundRequest {}
