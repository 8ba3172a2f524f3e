import http from 'k6/http';
import { fail } from 'k6';

// Copies a LoadTest's summary to Cloud Storage with the pod's Workload Identity: an access token from the GKE
// metadata server, then a JSON API media upload (storage/v1 objects.insert, uploadType=media).
const cfg = JSON.parse(open('/config/loadtest.json'));
const summary = open(cfg.summaryFile);

export const options = { vus: 1, iterations: 1 };

export default function () {
  const token = http.get('http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
    { headers: { 'Metadata-Flavor': 'Google' }, responseType: 'text', timeout: '10s' });
  if (token.status !== 200) fail('no access token from the metadata server (HTTP ' + token.status + '): is Workload Identity set up for this pod?');
  const object = cfg.upload.prefix + cfg.name + '-' + new Date().toISOString().replace(/[:.]/g, '-') + '.json';
  const res = http.post('https://storage.googleapis.com/upload/storage/v1/b/' + cfg.upload.bucket + '/o?uploadType=media&name=' + encodeURIComponent(object), summary,
    { headers: { 'Authorization': 'Bearer ' + JSON.parse(token.body).access_token, 'Content-Type': 'application/json' }, responseType: 'text', timeout: '30s' });
  if (res.status !== 200) fail('upload of gs://' + cfg.upload.bucket + '/' + object + ' failed (HTTP ' + res.status + '): ' + res.body);
  console.log('summary written to gs://' + cfg.upload.bucket + '/' + object);
}
