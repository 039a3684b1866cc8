{{/* Names, labels and shared values. Component-specific helpers live in each component's folder. */}}

{{- define "openmeet.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "openmeet.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Object name of a component: <fullname>-<component>. */}}
{{- define "openmeet.componentName" -}}
{{- printf "%s-%s" (include "openmeet.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "openmeet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "openmeet.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: openmeet
app.kubernetes.io/component: {{ .component }}
{{- with .root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels: stable across upgrades (never add version labels here). */}}
{{- define "openmeet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "openmeet.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* image reference from {registry, repository, tag, digest}; an empty tag means the chart's appVersion. */}}
{{- define "openmeet.image" -}}
{{- $tag := .image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/%s:%s" .image.registry .image.repository (toString $tag) -}}
{{- with .image.digest }}@{{ . }}{{ end -}}
{{- end -}}

{{- define "openmeet.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* XMPP names with Jitsi's defaults derived from xmpp.domain. */}}
{{- define "openmeet.xmpp.authDomain" -}}
{{- .Values.xmpp.authDomain | default (printf "auth.%s" .Values.xmpp.domain) -}}
{{- end -}}
{{- define "openmeet.xmpp.internalMuc" -}}
{{- .Values.xmpp.internalMuc | default (printf "internal.%s" (include "openmeet.xmpp.authDomain" .)) -}}
{{- end -}}
{{- define "openmeet.xmpp.conferenceMuc" -}}
{{- .Values.xmpp.conferenceMuc | default (printf "conference.%s" .Values.xmpp.domain) -}}
{{- end -}}
{{- define "openmeet.xmpp.host" -}}
{{- printf "%s.%s.svc.cluster.local" (include "openmeet.componentName" (dict "root" . "component" "prosody")) .Release.Namespace -}}
{{- end -}}

{{- define "openmeet.jvb.region" -}}
{{- .Values.jvb.region | default .Values.global.region -}}
{{- end -}}

{{/* The host name browsers use in this region: the regional one when set (multi-region), else the site's. */}}
{{- define "openmeet.publicHost" -}}
{{- .Values.global.regionalDomain | default .Values.global.domain -}}
{{- end -}}

{{/* Host names the Ingress serves: the site's and, in a multi-region deployment, this region's. */}}
{{- define "openmeet.ingressHosts" -}}
{{- list .Values.global.domain (include "openmeet.publicHost" .) | uniq | join " " -}}
{{- end -}}

{{/* Origins allowed to call the API from a browser: the site, this region's name and every region's URL. */}}
{{- define "openmeet.corsOrigins" -}}
{{- $origins := list (printf "https://%s" .Values.global.domain) (printf "https://%s" (include "openmeet.publicHost" .)) -}}
{{- range $region, $url := .Values.global.regions -}}
{{- $origins = append $origins (trimSuffix "/" $url) -}}
{{- end -}}
{{- join "," (uniq $origins) -}}
{{- end -}}

{{/* OPENMEET_REGIONS_PEERS: every region as region=URL, sorted (room-api skips its own). */}}
{{- define "openmeet.regionPeers" -}}
{{- $peers := list -}}
{{- range $region := keys .Values.global.regions | sortAlpha -}}
{{- $peers = append $peers (printf "%s=%s" $region (trimSuffix "/" (get $.Values.global.regions $region))) -}}
{{- end -}}
{{- join "," $peers -}}
{{- end -}}

{{- define "openmeet.turn.host" -}}
{{- .Values.coturn.externalHost | default (printf "turn.%s" .Values.global.domain) -}}
{{- end -}}

{{/* The kubernetes.io/tls Secret coturn serves TURN over TLS with. */}}
{{- define "openmeet.coturn.tlsSecret" -}}
{{- .Values.coturn.tls.existingSecret | default (printf "%s-tls" (include "openmeet.componentName" (dict "root" . "component" "coturn"))) -}}
{{- end -}}

{{/* TURN URIs handed to browsers: UDP and TCP on coturn.port, TLS on coturn.tls.port; empty without coturn. */}}
{{- define "openmeet.turn.uris" -}}
{{- if .Values.coturn.enabled -}}
{{- $host := include "openmeet.turn.host" . -}}
{{- $uris := list (printf "turn:%s:%d?transport=udp" $host (int .Values.coturn.port)) (printf "turn:%s:%d?transport=tcp" $host (int .Values.coturn.port)) -}}
{{- if .Values.coturn.tls.enabled -}}
{{- $uris = append $uris (printf "turns:%s:%d?transport=tcp" $host (int .Values.coturn.tls.port)) -}}
{{- end -}}
{{- join "," $uris -}}
{{- end -}}
{{- end -}}

{{/* The secret holding focus-password, jvb-password, turn-secret and postgres-password. */}}
{{- define "openmeet.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "openmeet.componentName" (dict "root" . "component" "secrets")) -}}
{{- end -}}

{{/*
Renders one of bridge-config's templates (files/<name>, a byte-identical copy checked by deploy-tests)
by replacing ${NAME} placeholders, exactly like bridge-config's TemplateRenderer and envsubst.
Placeholders listed in .runtime are left for the pod to fill at start (per-pod ids and secrets);
any other placeholder left over fails the release with the variable's name.
Usage: include "openmeet.renderBridgeConfig" (dict "root" $ "file" "jvb.conf.template" "values" $vars "runtime" (list "JVB_BRIDGE_ID"))
*/}}
{{- define "openmeet.renderBridgeConfig" -}}
{{- $text := .root.Files.Get (printf "files/%s" .file) -}}
{{- if not $text -}}
{{- fail (printf "files/%s is missing from the chart: copy it from bridge-config/" .file) -}}
{{- end -}}
{{- range $name, $value := .values -}}
{{- $text = replace (printf "${%s}" $name) (toString $value) $text -}}
{{- end -}}
{{- $left := regexFindAll "\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}" $text -1 | uniq -}}
{{- range $left -}}
{{- $name := trimSuffix "}" (trimPrefix "${" .) -}}
{{- if not (has $name $.runtime) -}}
{{- fail (printf "files/%s needs a value for %s" $.file $name) -}}
{{- end -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{/* Pod-level settings shared by every workload. */}}
{{- define "openmeet.podDefaults" -}}
automountServiceAccountToken: false
{{- include "openmeet.imagePullSecrets" .root }}
securityContext:
  {{- toYaml .values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* JDBC URL and Redis URL for room-api: in-cluster for evaluation, external for production. */}}
{{- define "openmeet.db.url" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "openmeet.componentName" (dict "root" . "component" "postgresql")) .Values.postgresql.database -}}
{{- else -}}
{{- printf "jdbc:postgresql://%s:%d/%s?sslmode=%s" .Values.externalDatabase.host (int .Values.externalDatabase.port) .Values.externalDatabase.database .Values.externalDatabase.sslMode -}}
{{- end -}}
{{- end -}}
{{- define "openmeet.db.user" -}}
{{- if .Values.postgresql.enabled }}{{ .Values.postgresql.username }}{{ else }}{{ .Values.externalDatabase.username }}{{ end -}}
{{- end -}}
{{- define "openmeet.db.secretName" -}}
{{- if .Values.postgresql.enabled }}{{ include "openmeet.secretName" . }}{{ else }}{{ .Values.externalDatabase.existingSecret }}{{ end -}}
{{- end -}}
{{- define "openmeet.db.secretKey" -}}
{{- if .Values.postgresql.enabled }}postgres-password{{ else }}{{ .Values.externalDatabase.existingSecretPasswordKey }}{{ end -}}
{{- end -}}
{{- define "openmeet.redis.url" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s:6379" (include "openmeet.componentName" (dict "root" . "component" "redis")) -}}
{{- else -}}
{{- .Values.externalRedis.url -}}
{{- end -}}
{{- end -}}
