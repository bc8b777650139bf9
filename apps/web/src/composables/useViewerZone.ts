import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { formatDateTime, formatTime, viewerZone, zoneAbbreviation } from '../appointments/time';

/** Instants in this browser's time zone, in the page's language. */
export function useViewerZone() {
  const { locale } = useI18n();
  const zone = viewerZone();
  return {
    zone,
    /** "CET (Europe/Berlin)", or just "UTC" when the two are the same. */
    zoneLabel: computed(() => {
      const abbr = zoneAbbreviation(Date.now(), locale.value, zone);
      return abbr === zone ? zone : `${abbr} (${zone})`;
    }),
    dateTime: (at: string | number) => formatDateTime(at, locale.value, zone),
    time: (at: string | number) => formatTime(at, locale.value, zone),
  };
}
