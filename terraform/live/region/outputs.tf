output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --region <region> --name <name>)."
  value       = module.region.cluster_name
}

output "helm_values" {
  description = "helm/openmeet values for this region (helm upgrade --install ... -f <(terraform output -raw helm_values))."
  value       = module.region.helm_values
}

output "cluster_autoscaler_helm_values" {
  description = "Values for the cluster-autoscaler chart in this region's cluster."
  value       = module.region.cluster_autoscaler_helm_values
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret with the database password (copy it into the Secret openmeet-db)."
  value       = module.region.database_password_secret_arn
}
