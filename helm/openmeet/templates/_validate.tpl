{{/*
validateValues: checks combinations the schema cannot express and fails the install early with one
readable message listing every problem. Called from validate.yaml, which renders nothing.
*/}}
{{- define "openmeet.validateValues" -}}
{{- $errors := list -}}
{{- $v := .Values -}}
{{- if and $v.postgresql.enabled $v.externalDatabase.host -}}
{{- $errors = append $errors "postgresql.enabled=true and externalDatabase.host are both set: choose the in-cluster database or the external one" -}}
{{- end -}}
{{- if and (not $v.postgresql.enabled) (not $v.externalDatabase.host) -}}
{{- $errors = append $errors "no database: set externalDatabase.host (production, e.g. RDS) or postgresql.enabled=true (evaluation)" -}}
{{- end -}}
{{- if and (not $v.postgresql.enabled) $v.externalDatabase.host (not $v.externalDatabase.existingSecret) -}}
{{- $errors = append $errors "externalDatabase.existingSecret is empty: name the Secret that holds the database password" -}}
{{- end -}}
{{- if and $v.redis.enabled $v.externalRedis.url -}}
{{- $errors = append $errors "redis.enabled=true and externalRedis.url are both set: choose the in-cluster Redis or the external one" -}}
{{- end -}}
{{- $sentinel := and (not $v.redis.enabled) (eq $v.externalRedis.mode "sentinel") -}}
{{- if and (not $v.redis.enabled) (not $sentinel) (not $v.externalRedis.url) -}}
{{- $errors = append $errors "no Redis: set externalRedis.url (production, e.g. ElastiCache's primary endpoint), externalRedis.mode=sentinel with its Sentinels, or redis.enabled=true (evaluation)" -}}
{{- end -}}
{{- if and $sentinel (or (not $v.externalRedis.sentinel.masterName) (not $v.externalRedis.sentinel.addresses)) -}}
{{- $errors = append $errors "externalRedis.mode=sentinel needs externalRedis.sentinel.masterName and externalRedis.sentinel.addresses" -}}
{{- end -}}
{{- range $v.externalRedis.sentinel.addresses -}}
{{- if not (regexMatch "^rediss?://[^/]+:[0-9]+$" .) -}}
{{- $errors = append $errors (printf "externalRedis.sentinel.addresses entry %q must be redis://host:port or rediss://host:port" .) -}}
{{- end -}}
{{- end -}}
{{- if and $sentinel $v.monitoring.redisExporter.enabled -}}
{{- $errors = append $errors "monitoring.redisExporter follows one endpoint, not a Sentinel master: scrape your Redis servers with your own exporter and keep monitoring.redisExporter.enabled=false" -}}
{{- end -}}
{{- if not $v.secrets.existingSecret -}}
{{- $missing := list -}}
{{- if not $v.secrets.focusPassword }}{{ $missing = append $missing "secrets.focusPassword" }}{{ end -}}
{{- if not $v.secrets.jvbPassword }}{{ $missing = append $missing "secrets.jvbPassword" }}{{ end -}}
{{- if and $v.coturn.enabled (not $v.secrets.turnSecret) }}{{ $missing = append $missing "secrets.turnSecret" }}{{ end -}}
{{- if and $v.postgresql.enabled (not $v.secrets.postgresPassword) }}{{ $missing = append $missing "secrets.postgresPassword" }}{{ end -}}
{{- if $missing -}}
{{- $errors = append $errors (printf "secrets.existingSecret is empty, so the chart creates the Secret from values, but %s %s empty: set them, or create a Secret and name it in secrets.existingSecret (nothing is generated, so every render gives the same Secret)" (join ", " $missing) (ternary "is" "are" (eq (len $missing) 1))) -}}
{{- end -}}
{{- end -}}
{{- if and $v.jvb.enabled (eq $v.jvb.networking.mode "hostPort") $v.jvb.health.requireValidAddress (not (or $v.jvb.publicAddress.awsMetadataMapping $v.jvb.publicAddress.useNodeIP $v.jvb.publicAddress.publicIPs $v.jvb.publicAddress.stunServers)) -}}
{{- $errors = append $errors "jvb.networking.mode=hostPort: the bridge would offer only the pod's private address (the EC2 harvester maps the instance's address, not the pod's) and report itself unhealthy; set jvb.publicAddress.awsMetadataMapping (EC2), useNodeIP, publicIPs or stunServers" -}}
{{- end -}}
{{- if and $v.jvb.enabled $v.jvb.publicAddress.publicIPs (or $v.jvb.autoscaling.enabled (gt (int $v.jvb.replicaCount) 1)) -}}
{{- $errors = append $errors "jvb.publicAddress.publicIPs maps every bridge to the same addresses: use it with one bridge (replicaCount=1, no autoscaling); a pool needs awsMetadataMapping, awsHarvester (hostNetwork), useNodeIP or STUN" -}}
{{- end -}}
{{- if and $v.jvb.enabled $v.jvb.autoscaling.enabled (not (has $v.jvb.autoscaling.metricsSource (list "prometheusAdapter" "keda"))) -}}
{{- $errors = append $errors (printf "jvb.autoscaling.metricsSource %q is not one of prometheusAdapter, keda" $v.jvb.autoscaling.metricsSource) -}}
{{- end -}}
{{- if and $v.global.regions (not $v.global.regionalDomain) -}}
{{- $errors = append $errors "global.regions is set but global.regionalDomain is empty: in a multi-region deployment, room links and sockets must name this region's host, not the latency-routed site name" -}}
{{- end -}}
{{- if and $v.global.regions (not (hasKey $v.global.regions $v.global.region)) -}}
{{- $errors = append $errors (printf "global.regions has no entry for this region (global.region=%s): give every region the same full map" $v.global.region) -}}
{{- end -}}
{{- range $region, $url := $v.global.regions -}}
{{- if not (regexMatch "^https?://[A-Za-z0-9.-]+(:[0-9]+)?/?$" (toString $url)) -}}
{{- $errors = append $errors (printf "global.regions.%s %q must be http(s)://host[:port] without a path" $region (toString $url)) -}}
{{- end -}}
{{- end -}}

{{- if and $v.externalRedis.url (not (regexMatch "^rediss?://[^/]+" $v.externalRedis.url)) -}}
{{- $errors = append $errors (printf "externalRedis.url %q must start with redis:// or rediss://" $v.externalRedis.url) -}}
{{- end -}}
{{- if and $v.roomApi.enabled (not $v.roomApi.jwt.existingSecret) -}}
{{- $errors = append $errors "roomApi.jwt.existingSecret is empty: create a Secret with privateKey.pem and publicKey.pem (see docs/DEPLOYMENT.md) and name it here" -}}
{{- end -}}
{{- if and $v.roomApi.autoscaling.enabled (lt (int $v.roomApi.autoscaling.maxReplicas) (int $v.roomApi.autoscaling.minReplicas)) -}}
{{- $errors = append $errors "roomApi.autoscaling.maxReplicas is below minReplicas" -}}
{{- end -}}
{{- if and $v.roomApi.pdb.enabled (not $v.roomApi.autoscaling.enabled) (le (int $v.roomApi.replicaCount) (int $v.roomApi.pdb.minAvailable)) -}}
{{- $errors = append $errors (printf "roomApi.pdb.minAvailable=%v with roomApi.replicaCount=%v would block every node drain: raise replicaCount or lower minAvailable" $v.roomApi.pdb.minAvailable $v.roomApi.replicaCount) -}}
{{- end -}}
{{- if and $v.jvb.autoscaling.enabled (lt (int $v.jvb.autoscaling.maxReplicas) (int $v.jvb.autoscaling.minReplicas)) -}}
{{- $errors = append $errors "jvb.autoscaling.maxReplicas is below minReplicas" -}}
{{- end -}}
{{- if and $v.jvb.enabled (not (has $v.jvb.networking.mode (list "hostNetwork" "hostPort"))) -}}
{{- $errors = append $errors (printf "jvb.networking.mode %q is not one of hostNetwork, hostPort" $v.jvb.networking.mode) -}}
{{- end -}}
{{- if and $v.jvb.enabled (eq (int $v.jvb.mediaPort) (int $v.jvb.privatePort)) -}}
{{- $errors = append $errors "jvb.mediaPort and jvb.privatePort must differ" -}}
{{- end -}}
{{- if and $v.jvb.enabled (not $v.prosody.enabled) -}}
{{- $errors = append $errors "jvb.enabled=true needs prosody.enabled=true: the bridges register in Prosody's brewery" -}}
{{- end -}}
{{- if and $v.coturn.enabled (ge (int $v.coturn.relayPortRange.min) (int $v.coturn.relayPortRange.max)) -}}
{{- $errors = append $errors "coturn.relayPortRange.min must be below coturn.relayPortRange.max" -}}
{{- end -}}
{{- if and (or $v.monitoring.prometheusRule.enabled $v.monitoring.podMonitor.enabled) (not $v.jvb.metricsExporter.enabled) -}}
{{- $errors = append $errors "monitoring of bridges needs jvb.metricsExporter.enabled=true: the bridges' REST API is localhost-only" -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nopenmeet: invalid values:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}
