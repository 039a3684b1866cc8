output "cluster_name" {
  description = "EKS cluster of the region."
  value       = module.eks.cluster_name
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret with the database password (copy it into the Secret openmeet-db)."
  value       = module.rds.password_secret_arn
}

output "helm_values" {
  description = "Values for helm/openmeet in this region: helm upgrade --install -f <(terraform output -raw ...)."

  value = templatefile("${path.module}/helm-values.yaml.tftpl", {
    domain            = var.domain
    region            = var.aws_region
    regions_json      = jsonencode({ for r in var.all_regions : r => "https://${r}.${var.domain}" })
    database_host     = module.rds.host
    database_port     = module.rds.port
    database_name     = module.rds.database_name
    database_username = module.rds.username
    redis_url         = module.elasticache.url
    jvb_media_port    = local.jvb_media_port
    bridge_max_nodes  = var.bridge_max_nodes
    turn_port         = local.turn_port
    turn_relay_min    = local.turn_relay_ports.min
    turn_relay_max    = local.turn_relay_ports.max
    control_selector  = module.eks.control_node_selector["openmeet.io/node-group"]
    bridge_selector   = module.eks.bridge_node_selector["openmeet.io/node-group"]
  })
}

output "cluster_autoscaler_helm_values" {
  description = "Values for the cluster-autoscaler Helm chart in this region's cluster."
  value       = module.eks.cluster_autoscaler_helm_values
}
