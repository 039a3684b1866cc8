output "fqdn" {
  description = "The meeting site's name as Route 53 serves it."
  value       = var.record_name
}

output "regional_fqdns" {
  description = "Each region's own name (Helm value global.regionalDomain)."
  value       = { for region, record in aws_route53_record.regional : region => record.fqdn }
}

output "health_check_ids" {
  description = "Route 53 health check of each region's room-api readiness."
  value       = { for region, check in aws_route53_health_check.room_api : region => check.id }
}
