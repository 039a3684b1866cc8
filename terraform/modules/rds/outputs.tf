output "host" {
  description = "Endpoint host (Helm value externalDatabase.host)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Endpoint port (Helm value externalDatabase.port)."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name (Helm value externalDatabase.database)."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Master user (Helm value externalDatabase.username)."
  value       = aws_db_instance.this.username
}

output "password_secret_arn" {
  description = "Secrets Manager secret holding the generated password; sync it into the Kubernetes Secret named by externalDatabase.existingSecret."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
