output "cluster_names" {
  description = "EKS clusters by region (aws eks update-kubeconfig --region <region> --name <name>)."

  value = {
    (var.primary.aws_region)   = module.primary.cluster_name
    (var.secondary.aws_region) = module.secondary.cluster_name
  }
}

output "helm_values_primary" {
  description = "helm/openmeet values for the primary region."
  value       = module.primary.helm_values
}

output "helm_values_secondary" {
  description = "helm/openmeet values for the secondary region."
  value       = module.secondary.helm_values
}

output "database_password_secret_arns" {
  description = "Secrets Manager secrets with each region's database password."

  value = {
    (var.primary.aws_region)   = module.primary.database_password_secret_arn
    (var.secondary.aws_region) = module.secondary.database_password_secret_arn
  }
}

output "site" {
  description = "The meeting site's name."
  value       = module.dns.fqdn
}
