import { RefundRequest } from '@tally/contracts';

/** Body of `POST /internal/refunds`: the contract's refund request (the user is the charge's). */
export class CreateRefundDto extends RefundRequest {}
