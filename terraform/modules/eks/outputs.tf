output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS attaches to every node; databases admit it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "bridge_security_group_id" {
  description = "Security group opening the media and TURN ports on bridge nodes."
  value       = aws_security_group.bridges.id
}

output "control_node_selector" {
  description = "Helm value roomApi.nodeSelector (and prosody.nodeSelector)."
  value       = aws_eks_node_group.control.labels
}

output "bridge_node_selector" {
  description = "Helm value jvb.nodeSelector (and coturn.nodeSelector); pods also need the openmeet.io/bridges toleration."
  value       = aws_eks_node_group.bridges.labels
}
