// @ts-check
/** How much of the phone the app uses, and whether the browser promised not to clear it. */
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n.js';

const MB = 1024 * 1024;

export function StorageInfo() {
  const [info, setInfo] = useState(/** @type {{persisted: boolean, usage: number, quota: number} | null} */ (null));
  useEffect(() => {
    (async () => {
      const storage = navigator.storage;
      if (!storage?.estimate) return;
      const persisted = (await storage.persisted?.()) || (await storage.persist?.()) || false;
      const { usage = 0, quota = 0 } = await storage.estimate();
      setInfo({ persisted, usage, quota });
    })();
  }, []);
  if (!info) return null;
  const nearlyFull = info.quota > 0 && info.usage / info.quota > 0.9;
  return (
    <div class="storage" data-testid="storage" data-persisted={info.persisted}>
      <h2>{t('storage.title')}</h2>
      <p>{t('storage.use', { used: (info.usage / MB).toFixed(1), quota: (info.quota / MB).toFixed(0) })}</p>
      <p class={info.persisted ? '' : 'form-error'}>{info.persisted ? t('storage.persisted') : t('storage.not_persisted')}</p>
      {nearlyFull ? <p class="form-error" role="alert">{t('storage.nearly_full')}</p> : null}
    </div>
  );
}
