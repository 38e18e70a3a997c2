// @ts-check
/**
 * Everything about getting the work off this phone: what waits, what went wrong, what
 * the server refused or found in conflict, storage, saving the outbox to a file, and
 * signing out (refused while anything is unsent).
 */
import { useState } from 'preact/hooks';
import { signOut, UnsentWork } from '../../client/device.js';
import { makeOutboxFile } from '../../client/outbox-file.js';
import { getEnrolment, getSyncStatus } from '../../store/meta.js';
import { pendingCount } from '../../store/outbox.js';
import { listRecords, listRejections } from '../../store/queries.js';
import { describeRecord, describeValue } from '../describe.js';
import { useQuery, useServices } from '../hooks.js';
import { errorText, formatMoment, t } from '../i18n.js';
import { LanguageSwitch } from '../language-switch.jsx';
import { PasskeyCard } from '../passkey-card.jsx';
import { PushCard } from '../push-card.jsx';
import { StorageInfo } from '../storage-info.jsx';

const DOWNLOAD_URL_KEEP_MS = 30_000;

/** @param {import('../../store/db.js').Db} db */
async function loadSync(db) {
  const conflicts = (await listRecords(db, 'conflict')).filter((c) => !c.fields.resolved);
  const rejections = await listRejections(db);
  return {
    pending: await pendingCount(db), status: await getSyncStatus(db), enrolment: await getEnrolment(db),
    conflicts: await Promise.all(conflicts.map(async (c) => ({
      id: c.id, field: c.fields.field, winner: c.fields.winner_value, loser: c.fields.loser_value, cause: c.fields.cause,
      what: await describeRecord(db, c.fields.record_entity, c.fields.record_id) }))),
    rejections: await Promise.all(rejections.map(async (r) => ({
      id: r.op.op_id, reason: r.reason, at: r.at,
      what: await describeRecord(db, r.op.entity, r.op.id, r.op.fields) }))),
  };
}

export function SyncScreen() {
  const services = useServices();
  const data = useQuery(loadSync, []);
  const [message, setMessage] = useState(/** @type {string | null} */ (null));
  if (!data) return null;
  const { pending, status, enrolment } = data;

  async function saveFile() {
    setMessage(null);
    try {
      const file = await makeOutboxFile(services.db, services.appVersion, Date.now());
      if (!file) return setMessage(t('sync.nothing_to_save'));
      const shared = await shareOrDownload(new File([file.text], file.name, { type: 'application/json' }));
      setMessage(shared ? t('sync.file_saved', { count: file.count, name: file.name }) : t('sync.file_not_shared'));
    } catch (error) {
      setMessage(errorText(error));
    }
  }

  async function leave() {
    try {
      await signOut(services.db);
      services.changed();
      location.hash = '#/';
    } catch (error) {
      setMessage(error instanceof UnsentWork ? t('sync.sign_out_refused', { count: error.pending }) : errorText(error));
    }
  }

  return (
    <section class="screen sync">
      <h1>{t('sync.title')}</h1>
      <dl class="facts">
        <dt>{t('sync.waiting')}</dt><dd data-testid="sync-pending">{pending}</dd>
        <dt>{t('sync.last_label')}</dt><dd>{status.lastSyncedAt ? formatMoment(status.lastSyncedAt) : t('sync.never')}</dd>
        {status.lastError ? <><dt>{t('sync.problem')}</dt><dd class="form-error">{errorText(status.lastError)}</dd></> : null}
        <dt>{t('sync.signed_in_as')}</dt><dd>{enrolment?.user.name}</dd>
        <dt>{t('sync.app_version')}</dt><dd data-testid="app-version">{services.appVersion}</dd>
      </dl>
      <button type="button" class="primary big" onClick={() => services.client.sync()} disabled={!navigator.onLine}>⟳ {t('sync.now')}</button>
      <button type="button" class="big" onClick={saveFile} data-testid="save-outbox">⇩ {t('sync.save_file')}</button>
      <p class="hint">{t('sync.save_file_hint')}</p>
      {message ? <p class="notice" role="status">{message}</p> : null}

      <h2>{t('sync.conflicts', { count: data.conflicts.length })}</h2>
      {data.conflicts.length === 0 ? <p class="empty">{t('sync.no_conflicts')}</p> : (
        <ul class="notices" data-testid="conflicts">
          {data.conflicts.map((c) => (
            <li key={c.id} data-testid="conflict" data-cause={c.cause ?? ''}>
              <strong>{c.what}</strong>
              <span>{c.cause === 'confirmation' ? t('sync.conflict_confirmation')
                : t('sync.conflict_kept', { kept: describeValue(c.field, c.winner), other: describeValue(c.field, c.loser) })}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('sync.rejections', { count: data.rejections.length })}</h2>
      {data.rejections.length === 0 ? <p class="empty">{t('sync.no_rejections')}</p> : (
        <ul class="notices" data-testid="rejections">
          {data.rejections.map((r) => (
            <li key={r.id} data-testid="rejection"><strong>{r.what}</strong><span>{r.reason}</span><small>{formatMoment(r.at)}</small></li>
          ))}
        </ul>
      )}
      <StorageInfo />
      <PasskeyCard />
      <PushCard />
      {enrolment && ['coordinator', 'admin'].includes(enrolment.user.role) ? (
        <>
          <a class="button big" href="#/devices" data-testid="open-devices">☰ {t('devices.title')}</a>
          <a class="button big" href="#/upload">⇧ {t('upload.title')}</a>
        </>
      ) : null}
      <LanguageSwitch />
      <a class="button big" href="#/enrol">{t('sync.enrol_again')}</a>
      <button type="button" class="big danger" onClick={leave} data-testid="sign-out">{t('sync.sign_out')}</button>
    </section>
  );
}

/**
 * Hand the file to the phone's share sheet (Zalo, Bluetooth…) or, where there is none,
 * download it. False when the trainer closed the share sheet without sending it.
 * @param {File} file
 */
async function shareOrDownload(file) {
  if (navigator.canShare?.({ files: [file] })) {
    try {
      await navigator.share({ files: [file], title: file.name });
      return true;
    } catch (/** @type {any} */ error) {
      if (error?.name === 'AbortError') return false;
      // Sharing is there but refused this file: a download still gets it off the phone.
    }
  }
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(file), download: file.name });
  link.click();
  // Revoked at once, the address can die before the browser has started the download.
  setTimeout(() => URL.revokeObjectURL(link.href), DOWNLOAD_URL_KEEP_MS);
  return true;
}
