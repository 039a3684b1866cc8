output "site" {
  description = "The meeting site's name."
  value       = module.dns.fqdn
}

output "regional_names" {
  description = "Each region's own name (Helm value global.regionalDomain)."
  value       = module.dns.regional_fqdns
}

output "health_check_ids" {
  description = "Route 53 health checks of each region's room-api readiness."
  value       = module.dns.health_check_ids
}
