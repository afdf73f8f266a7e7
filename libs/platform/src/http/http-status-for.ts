import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';

/** The one place an error code becomes an HTTP status; exhaustive, so a new code must be mapped. */
export function httpStatusFor(code: ErrorCode): HttpStatus {
  switch (code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.InvalidJson:
    case ErrorCode.UnsupportedSchemaVersion:
    case ErrorCode.UnstorableText:
    case ErrorCode.JsonTooDeep:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unauthorized:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.InsufficientCredits:
    case ErrorCode.KeyBudgetExceeded:
      return HttpStatus.PAYMENT_REQUIRED;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.Forbidden:
    case ErrorCode.LimitExceeded:
    case ErrorCode.ModelNotAllowed:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
    case ErrorCode.RefundOfUnknown:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.EventIdConflict:
    case ErrorCode.HoldNotOpen:
    case ErrorCode.OrderNotPayable:
    case ErrorCode.AlreadyExists:
    case ErrorCode.RefundExceedsCharge:
    case ErrorCode.OrderNotRefundable:
    case ErrorCode.RewardLimitReached:
    case ErrorCode.EndpointDisabled:
      return HttpStatus.CONFLICT;
    case ErrorCode.NoPriceRule:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.UpstreamError:
      return HttpStatus.BAD_GATEWAY;
    case ErrorCode.UpstreamTimeout:
      return HttpStatus.GATEWAY_TIMEOUT;
    case ErrorCode.ServiceUnavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case ErrorCode.InternalError:
      return HttpStatus.INTERNAL_SERVER_ERROR;
  }
}

/** For errors raised by Nest or Express themselves, which carry a status but not our code. */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.ValidationFailed;
    case 401:
      return ErrorCode.Unauthorized;
    case 402:
      return ErrorCode.InsufficientCredits;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 409:
      return ErrorCode.EventIdConflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 503:
      return ErrorCode.ServiceUnavailable;
    default:
      return status >= 500 ? ErrorCode.InternalError : ErrorCode.ValidationFailed;
  }
}
