// @ts-check
/** How the office screens ask the server: with this phone's token, saying what failed. */
import { useEffect, useState } from 'preact/hooks';
import { getEnrolment } from '../../store/meta.js';
import { createDashboardTransport } from '../../transport/dashboard-http.js';
import { useServices } from '../hooks.js';
import { errorCode, errorText } from '../i18n.js';

/** @type {import('../../transport/dashboard-http.js').DashboardTransport | null} */
let shared = null;

/** The office's transport, made on first use. */
export function officeTransport() {
  shared ??= createDashboardTransport();
  return shared;
}

/**
 * Run `call` with this phone's token.
 * @template T
 * @param {import('../hooks.js').AppServices} services
 * @param {(api: import('../../transport/dashboard-http.js').DashboardTransport, token: string) => Promise<T>} call
 */
export async function withToken(services, call) {
  const enrolment = await getEnrolment(services.db);
  if (!enrolment) throw Object.assign(new Error('not enrolled'), { code: 'not_enrolled' });
  return call(officeTransport(), enrolment.token);
}

/**
 * Say what failed; a coordinator's own phone found revoked is wiped by a sync, as any phone.
 * @param {import('../hooks.js').AppServices} services
 * @param {any} error
 */
export function failureText(services, error) {
  if (errorCode(error) === 'device_revoked') services.client.sync();
  return errorText(error);
}

/**
 * Load from the server when `deps` change or `reload()` is called.
 * @template T
 * @param {(api: import('../../transport/dashboard-http.js').DashboardTransport, token: string) => Promise<T>} call
 * @param {any[]} deps
 * @returns {{data: T | null, error: string | null, loading: boolean, reload: () => void}}
 */
export function useOffice(call, deps) {
  const services = useServices();
  const [data, setData] = useState(/** @type {T | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    withToken(services, call)
      .then((answer) => live && setData(() => answer))
      .catch((err) => live && setError(failureText(services, err)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { data, error, loading, reload: () => setRound((n) => n + 1) };
}

/**
 * A button's action against the server: whether it is under way, and what failed.
 * @returns {{busy: boolean, error: string | null, run: (action: () => Promise<void>) => Promise<boolean>}}
 */
export function useOfficeAction() {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /**
   * Run `action`; tell whether it succeeded.
   * @param {() => Promise<void>} action
   */
  async function run(action) {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(failureText(services, err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}

/**
 * Save a downloaded file on this computer or phone.
 * @param {import('../../transport/dashboard-http.js').Download} file
 */
export function saveFile(file) {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
