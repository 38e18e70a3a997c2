// @ts-check
/**
 * The two pieces of the coordinator's office that live in the app shell: the way in from
 * the home screen, and the loader. The office itself (screens, Chart.js) is a separate
 * bundle fetched only when a coordinator opens it, so a trainer's app does not carry it.
 */
import { useEffect, useState } from 'preact/hooks';
import { getEnrolment } from '../../store/meta.js';
import { useQuery } from '../hooks.js';
import { errorText, t } from '../i18n.js';

const OFFICE_ROLES = ['coordinator', 'admin'];

/** "Văn phòng điều phối" on the home screen, for coordinators and admins only. */
export function OfficeLink() {
  const role = useQuery((db) => getEnrolment(db).then((e) => e?.user.role ?? ''), []);
  if (!role || !OFFICE_ROLES.includes(role)) return null;
  return <a class="button big primary office-link" href="#/office" data-testid="home-office">▦ {t('office.title')}</a>;
}

/** @type {Promise<typeof import('./office.jsx')> | null} */
let loading = null;

/** @param {{route: string[]}} props the hash route after "office" */
export function LazyOffice({ route }) {
  const [office, setOffice] = useState(/** @type {typeof import('./office.jsx') | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  useEffect(() => {
    loading ??= import('./office.jsx');
    loading.then(setOffice, (err) => {
      loading = null; // a lost connection: the next visit tries again
      setError(errorText(err));
    });
  }, []);
  if (error) return <p class="form-error" role="alert">{error}</p>;
  if (!office) return <p class="empty">{t('common.wait')}</p>;
  return <office.Office route={route} />;
}
