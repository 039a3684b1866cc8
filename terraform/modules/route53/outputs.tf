output "fqdn" {
  description = "The meeting site's name as Route 53 serves it."
  value       = var.record_name
}

output "record_set_identifiers" {
  description = "Set identifier of each region's record."
  value       = { for region, record in aws_route53_record.region : region => record.set_identifier }
}
