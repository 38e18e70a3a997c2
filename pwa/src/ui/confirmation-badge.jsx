// @ts-check
/**
 * A trainee's own confirmation on the roster, beside the trainer's mark: waiting on this
 * phone, verified by the trainee's passkey, confirmed without one, or failed (tap for why).
 */
import { t } from './i18n.js';

/** @typedef {'pending' | 'verified' | 'unverified' | 'failed' | 'received'} ConfirmationState */

/**
 * What the roster says about one confirmation record (a view row).
 * @param {{pending: boolean, fields: Record<string, any>}} row
 * @returns {ConfirmationState}
 */
export function confirmationState(row) {
  const verdict = row.fields.verification;
  if (verdict === 'verified' || verdict === 'unverified' || verdict === 'failed') return verdict;
  // Not judged yet: the server judges a confirmation when it arrives.
  return row.pending ? 'pending' : 'received';
}

/**
 * How many trainees confirmed, not counting confirmations the server found false.
 * @param {Iterable<{pending: boolean, fields: Record<string, any>}>} rows
 */
export function countConfirmed(rows) {
  let count = 0;
  for (const row of rows) if (confirmationState(row) !== 'failed') count += 1;
  return count;
}

/** @param {{row: {pending: boolean, fields: Record<string, any>}}} props */
export function ConfirmationBadge({ row }) {
  const state = confirmationState(row);
  if (state === 'failed') {
    return (
      <details class="confirmation failed" data-testid="confirmation" data-state={state}>
        <summary>⚠ {t('confirmation.failed')}</summary>
        <p>{row.fields.verification_reason || t('confirmation.no_reason')}</p>
      </details>
    );
  }
  const text = state === 'verified' ? `✔ ${t('confirmation.verified')}`
    : state === 'unverified' ? `✓ ${t('confirmation.unverified')}`
      : state === 'pending' ? `↑ ${t('confirmation.pending')}` : `✓ ${t('confirmation.received')}`;
  return <p class={`confirmation ${state}`} data-testid="confirmation" data-state={state}>{text}</p>;
}
